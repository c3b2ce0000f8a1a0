"use client";

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";

export type TRunsPerDay = { day: string; success: number; warning: number; error: number };

// The traffic light's colours (Tailwind green-600, amber-500, red-600); the legend names each one.
const SERIES = [
  { key: "success", name: "Success", color: "#16a34a" },
  { key: "warning", name: "Warning", color: "#f59e0b" },
  { key: "error", name: "Error", color: "#dc2626" },
] as const;

function shortDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

/**
 * Sync runs per day, stacked by result (Recharts). The chart is a picture for sighted readers
 * (role="img" with a summary); the figures themselves are in the table next to it, which is what
 * assistive technology reads.
 */
export function RunsChart({ data, summary }: { data: TRunsPerDay[]; summary: string }) {
  return (
    <div role="img" aria-label={summary} className="h-72 w-full">
      <BarChart
        responsive
        data={data.map((d) => ({ ...d, label: shortDay(d.day) }))}
        accessibilityLayer={false}
        margin={{ top: 8, right: 8, bottom: 0, left: -16 }}
        style={{ width: "100%", height: "100%" }}
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
        <XAxis dataKey="label" tick={{ fill: "#334155", fontSize: 12 }} tickLine={false} />
        <YAxis allowDecimals={false} tick={{ fill: "#334155", fontSize: 12 }} tickLine={false} />
        <Tooltip cursor={{ fill: "#f1f5f9" }} />
        <Legend wrapperStyle={{ fontSize: 13, color: "#1e293b" }} />
        {SERIES.map((s) => (
          <Bar
            key={s.key}
            dataKey={s.key}
            name={s.name}
            stackId="runs"
            fill={s.color}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </div>
  );
}
