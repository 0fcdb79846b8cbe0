// @ts-check
// What a decoded QR text means for Gemba Walk: an area label of this server, or not.

const TOKEN = /^\/a\/([A-Za-z0-9_-]{16,64})\/?$/;

/**
 * Classify the text of a QR code.
 * @param {string} text decoded text
 * @param {string[]} origins origins whose labels belong to this server
 * @returns {{kind: 'area', path: string} | {kind: 'other-server', host: string} | {kind: 'not-a-label'}}
 */
export function classifyQrText(text, origins) {
  let url;
  try {
    url = new URL(text.trim());
  } catch {
    return { kind: 'not-a-label' };
  }
  const match = url.pathname.match(TOKEN);
  if (!match || !['http:', 'https:'].includes(url.protocol)) return { kind: 'not-a-label' };
  if (!origins.includes(url.origin)) return { kind: 'other-server', host: url.host };
  return { kind: 'area', path: `/a/${match[1]}` };
}
