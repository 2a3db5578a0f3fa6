// A one-line progress bar on stderr for long runs: `[#####-----] 52% 520000/1000000 ops`.
// It draws only when the stream is a TTY (so pipes, files and --json consumers never see it),
// waits `delayMs` before the first draw (short runs never show it), redraws at most every
// `intervalMs` with \r, and finish() blanks the line it drew.

/** The part of a stream the bar uses (process.stderr, or a fake in tests). */
export interface ProgressStream {
  isTTY?: boolean;
  /** Terminal width; the bar is cut to fit when known. */
  columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** Units of work expected; update() may change it. */
  total: number;
  /** What is counted ("ops", "domains", …). Default "ops". */
  unit?: string;
  /** Text before the bar, e.g. the variant being run. */
  label?: string;
  /** Cells inside the brackets. Default 20. */
  width?: number;
  /** Minimum time between two draws. Default 100 ms. */
  intervalMs?: number;
  /** No draw before this much time has passed since the bar was made. Default 200 ms. */
  delayMs?: number;
  /** Clock in ms (tests pass a fake one). Default Date.now. */
  now?: () => number;
}

/** `[#####-----] 52% 520000/1000000 ops` (done is clamped to [0, total]; total 0 reads as 100%). */
export function renderProgress(done: number, total: number, unit = 'ops', width = 20, label = ''): string {
  const d = Math.max(0, Math.min(done, total));
  const fraction = total <= 0 ? 1 : d / total;
  const filled = Math.floor(fraction * width);
  const percent = Math.floor(fraction * 100);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}% ${d}/${total} ${unit}`;
  return label ? `${label} ${bar}` : bar;
}

export class ProgressBar {
  /** False when the stream is not a TTY: every call is then a no-op. */
  readonly enabled: boolean;
  private total: number;
  private unit: string;
  private label: string;
  private readonly width: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly showAfter: number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawnWidth = 0;
  private lastText = '';

  constructor(
    private readonly stream: ProgressStream,
    options: ProgressOptions,
  ) {
    this.enabled = stream.isTTY === true;
    this.total = options.total;
    this.unit = options.unit ?? 'ops';
    this.label = options.label ?? '';
    this.width = options.width ?? 20;
    this.intervalMs = options.intervalMs ?? 100;
    this.now = options.now ?? Date.now;
    this.showAfter = this.now() + (options.delayMs ?? 200);
  }

  /** Report progress; draws when enabled, past the delay and the throttle interval. */
  update(done: number, total: number = this.total, unit: string = this.unit, label: string = this.label): void {
    if (!this.enabled) return;
    this.total = total;
    this.unit = unit;
    this.label = label;
    const t = this.now();
    if (t < this.showAfter || t - this.lastDraw < this.intervalMs) return;
    let text = renderProgress(done, total, unit, this.width, label);
    if (this.stream.columns !== undefined && this.stream.columns > 1) text = text.slice(0, this.stream.columns - 1);
    this.lastDraw = t;
    if (text === this.lastText) return;
    // Pad over a longer previous line, then return the cursor to the start of the line.
    this.stream.write(`\r${text.padEnd(this.drawnWidth)}`);
    this.drawnWidth = Math.max(this.drawnWidth, text.length);
    this.lastText = text;
  }

  /** Whether anything has been drawn and not yet cleared. */
  get visible(): boolean {
    return this.drawnWidth > 0;
  }

  /** Blank the bar's line (if it was drawn) so later output starts on a clean line. */
  finish(): void {
    if (!this.enabled || this.drawnWidth === 0) return;
    this.stream.write(`\r${' '.repeat(this.drawnWidth)}\r`);
    this.drawnWidth = 0;
    this.lastText = '';
  }
}

/** A bar on process.stderr unless the user passed --no-progress (then a disabled one). */
/**
 * The CLI's bar on stderr. IOVA_LAB_PROGRESS_DELAY_MS overrides the initial delay (the tests set
 * 0 so that a fast run on a fast machine still draws).
 */
export function stderrProgress(
  enabled: boolean | undefined,
  options: ProgressOptions,
  stream: ProgressStream = process.stderr,
): ProgressBar {
  const env = process.env.IOVA_LAB_PROGRESS_DELAY_MS;
  const delayMs = env !== undefined && /^\d+$/.test(env) ? Number(env) : options.delayMs;
  return new ProgressBar(enabled === false ? { isTTY: false, write: () => true } : stream, { ...options, delayMs });
}
