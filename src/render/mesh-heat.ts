// The heat-map colour scale shared by the HTML page and the terminal: green at no loss, through
// yellow and orange, to red at total loss; grey where there is no data. The hue falls with the
// loss to the power 0.35 so that the first few percent, which matter most, already show: 1 % is a
// paler green, 10 % yellow, 25 % orange, 50 % and more red.
export const NO_DATA_COLOR = 'rgb(200, 200, 200)';
export const SELF_COLOR = 'rgb(238, 238, 238)';

/** Hue 120 (green) at 0 % to 0 (red) at 100 %. */
export function lossHue(pct: number): number {
  const p = Math.min(100, Math.max(0, pct));
  return Math.round(120 * (1 - (p / 100) ** 0.35));
}

/** An rgb() colour for a loss percentage (HSL 75 % saturation, 42 % lightness), written as rgb() so a browser echoes it unchanged. */
export function lossColor(pct: number): string {
  const [r, g, b] = hslToRgb(lossHue(pct), 0.75, 0.42);
  return `rgb(${r}, ${g}, ${b})`;
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const c = (1 - Math.abs(2 * l - 1)) * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = l - c / 2;
  const [r, g, b] = h < 60 ? [c, x, 0] : h < 120 ? [x, c, 0] : [0, c, x];
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/** The legend's stops. */
export const LEGEND_STOPS = [0, 1, 5, 10, 25, 50, 100] as const;
