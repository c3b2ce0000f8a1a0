import { encodePng } from "./png";

/** Icon sizes the manifest refers to: 16/32/80 for the ribbon button, 64/128 for the add-in listing. */
export const ICON_SIZES = [16, 32, 64, 80, 128] as const;
export type TIconSize = (typeof ICON_SIZES)[number];

/** Path of an icon inside the add-in output folder (and under `/addin/` on the portal). */
export function iconFile(size: number): string {
  return `assets/icon-${size}.png`;
}

type TRgba = readonly [number, number, number, number];
const BRAND: TRgba = [55, 48, 163, 255]; // indigo #3730a3, the portal's brand colour
const WHITE: TRgba = [255, 255, 255, 255];
const CLEAR: TRgba = [0, 0, 0, 0];

function inRoundedRect(
  x: number,
  y: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  r: number,
): boolean {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** The Coffer mark, a chest with a keyhole, in unit coordinates (0..1, y down). */
function colourAt(x: number, y: number): TRgba {
  if (!inRoundedRect(x, y, 0, 0, 1, 1, 0.22)) return CLEAR;
  const keyhole =
    (x - 0.5) ** 2 + (y - 0.57) ** 2 <= 0.06 ** 2 || (Math.abs(x - 0.5) <= 0.025 && y >= 0.57 && y <= 0.69);
  if (keyhole) return BRAND;
  const lid = inRoundedRect(x, y, 0.19, 0.22, 0.81, 0.42, 0.1) && y <= 0.4;
  const body = inRoundedRect(x, y, 0.19, 0.45, 0.81, 0.8, 0.05);
  return lid || body ? WHITE : BRAND;
}

/** Renders the icon at `size` pixels with 4x4 supersampling; the result is deterministic. */
export function renderIcon(size: number): Buffer {
  const samples = 4;
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const c = colourAt((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          // premultiply so transparent samples do not darken the edge
          r += c[0] * c[3];
          g += c[1] * c[3];
          b += c[2] * c[3];
          a += c[3];
        }
      }
      const i = (py * size + px) * 4;
      rgba[i] = a ? Math.round(r / a) : 0;
      rgba[i + 1] = a ? Math.round(g / a) : 0;
      rgba[i + 2] = a ? Math.round(b / a) : 0;
      rgba[i + 3] = Math.round(a / (samples * samples));
    }
  }
  return encodePng(size, size, rgba);
}
