/** ANSI colour for CLI output: on for TTYs, off with NO_COLOR, forced with FORCE_COLOR. */
export interface Paint {
  enabled: boolean;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  magenta(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function useColour(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false") return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return (stream as { isTTY?: boolean }).isTTY === true;
}

export function paint(enabled: boolean): Paint {
  const c = (open: number, close: number) => (s: string) => (enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { enabled, red: c(31, 39), green: c(32, 39), yellow: c(33, 39), blue: c(34, 39), magenta: c(35, 39), dim: c(2, 22), bold: c(1, 22) };
}
