// The error a malformed trace line raises: the line number and what was expected there.
import { IovaLabError } from '../errors.js';
import { clip } from '../share/echo.js';

/**
 * A malformed trace line: `line` (1-based), what was `expected` there and what it `got` (the
 * message shows at most the first 80 characters of it).
 * @example
 * ```ts
 * try { parseTrace('cpus 4\nalloc 0 0 1\n'); } catch (e) { if (e instanceof TraceSyntaxError) console.log(e.line); }
 * ```
 */
export class TraceSyntaxError extends IovaLabError {
  override name = 'TraceSyntaxError';
  constructor(
    readonly line: number,
    readonly expected: string,
    readonly got: string,
  ) {
    super(`trace line ${line}: expected ${expected}${got ? `, got "${clip(got)}"` : ''}`, 0);
  }
}
