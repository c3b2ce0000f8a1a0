import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { SiteFooter } from "@/modules/shell/components/site-footer";
import { SiteHeader } from "@/modules/shell/components/site-header";
import { SkipLink } from "@/modules/shell/components/skip-link";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Coffer", template: "%s · Coffer" },
  description: "Self-hosted archive, sync & recover for Microsoft 365 mailboxes.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="flex min-h-screen flex-col font-sans">
        <SkipLink />
        <SiteHeader />
        <main id="main-content" tabIndex={-1} className="flex-1 focus:outline-none">
          {children}
        </main>
        <SiteFooter />
      </body>
    </html>
  );
}
