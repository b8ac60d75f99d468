import { createContext, useContext } from "react";

/**
 * This request's CSP nonce, for the inline scripts Remix writes (see http/security-headers.server.ts).
 * Set by entry.server.tsx; in the browser it is empty, and nothing there needs it.
 */
export const NonceContext = createContext("");
export const useNonce = () => useContext(NonceContext);
