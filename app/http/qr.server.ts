import QRCode from "qrcode";

/**
 * A QR code as one SVG path (a unit square per dark module), drawn by the page as plain markup:
 * no image request, no inline script or style for the CSP to allow, no library in the browser.
 * Why `qrcode`: the well-kept encoder (error correction, versions, masks) nobody should write again.
 */
export function qrPath(text: string): { size: number; d: string } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const { size } = modules;
  let d = "";
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) if (modules.get(y, x)) d += `M${x} ${y}h1v1h-1z`;
  }
  return { size, d };
}
