// How much of a user's input an error message repeats: enough to recognise it, never a whole
// megabyte line.
export const ECHO_MAX_CHARS = 80;

/** `text` itself when short, else its first ECHO_MAX_CHARS characters and "…". */
export function clip(text: string): string {
  return text.length <= ECHO_MAX_CHARS ? text : `${text.slice(0, ECHO_MAX_CHARS)}…`;
}
