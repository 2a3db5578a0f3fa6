// The error a malformed trace line raises: the line number and what was expected there.
export class TraceSyntaxError extends Error {
  constructor(readonly line: number, readonly expected: string, readonly got: string) {
    super(`trace line ${line}: expected ${expected}${got ? `, got "${got}"` : ''}`);
    this.name = 'TraceSyntaxError';
  }
}
