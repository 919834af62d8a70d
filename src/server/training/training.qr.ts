import QRCode from 'qrcode';

/**
 * The sign-in QR as an inline SVG (rendered on the server: the page needs no
 * script and no image route). Margin and error correction suit a code shown
 * on a projector and scanned from the back of the room.
 */
export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
