// How much of a user's input an error message repeats: enough to recognise it, never a whole
// megabyte line.
export const ECHO_MAX_CHARS = 80;

/** `text` itself when short, else its first ECHO_MAX_CHARS characters and "…". */
export function clip(text: string): string {
  return text.length <= ECHO_MAX_CHARS ? text : `${text.slice(0, ECHO_MAX_CHARS)}…`;
}

/** Every run of more than ECHO_MAX_CHARS non-space characters in `text`, clipped. */
export function clipLongWords(text: string): string {
  return text.replace(new RegExp(`\\S{${ECHO_MAX_CHARS + 1},}`, 'g'), clip);
}

/** A whole error message at most this long: the last guard for any message that quotes input. */
export const MESSAGE_MAX_CHARS = 1000;

export function clipMessage(text: string): string {
  return text.length <= MESSAGE_MAX_CHARS ? text : `${text.slice(0, MESSAGE_MAX_CHARS)}…`;
}
