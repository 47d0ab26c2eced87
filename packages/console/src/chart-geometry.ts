// The arithmetic of the console's charts: a round top for the y axis, and a series of values (null
// where there is no value) as SVG path data in a box, broken where values are missing.

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value` (1 for nothing to show), so gridlines read well. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/**
 * Path data for `values` spread over `width` and scaled so `max` is at the top of `height`: one `M…L…`
 * run per stretch of values without a null; a lone value is a short flat stroke so it shows.
 */
export function linePath(values: readonly (number | null)[], width: number, height: number, max: number): string {
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const y = (value: number): number => round(height - (Math.min(value, max) / max) * height);
  const runs: [number, number][][] = [];
  let run: [number, number][] = [];
  values.forEach((value, index) => {
    if (value !== null) {
      run.push([round(index * step), y(value)]);
    } else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  });
  if (run.length > 0) runs.push(run);
  return runs
    .map((points) => {
      const [x, top] = points[0]!;
      if (points.length === 1) points.push([round(x + Math.max(step / 2, 1)), top]);
      return points.map(([px, py], index) => `${index === 0 ? "M" : "L"}${px},${py}`).join("");
    })
    .join("");
}

const round = (value: number): number => Math.round(value * 10) / 10;

/** A count for axis labels and legends: 1234 → "1.2k". */
export function shortNumber(value: number): string {
  if (value >= 1_000_000) return `${round(value / 1_000_000)}M`;
  if (value >= 1_000) return `${round(value / 1_000)}k`;
  return String(round(value));
}
