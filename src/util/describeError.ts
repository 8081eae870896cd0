/**
 * Reading `code`/`message` off caught values without `instanceof Error`: errors thrown by Node's own modules
 * come from another realm under Jest (and tslab), where `instanceof Error` is false.
 */

/** The errno-style code of a caught value ('ENOENT', ...), if it has one. */
export function errorCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const code = (e as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** The message of a caught value, or its string form. */
export function errorMessage(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'message' in e) {
    const message = (e as { message: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return String(e);
}
