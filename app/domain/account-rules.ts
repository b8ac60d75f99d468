/** Account rules shared by the server and the forms in the browser. */
export const NAME_MAX = 100;
export const EMAIL_MAX = 254;
export const PASSWORD_MIN = 10;
// bcrypt only reads the first 72 bytes; longer passwords would silently share a hash.
export const PASSWORD_MAX_BYTES = 72;
