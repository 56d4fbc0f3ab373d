// Upload names are display names only: never a path, never used as a storage key.
const MAX_FILENAME_CHARS = 255;

// The last path segment, without control or bidi-override characters, trimmed, NFC, at most
// 255 characters; "file" when nothing is left. "../../etc/passwd" becomes "passwd".
export function sanitizeFilename(raw: string | undefined): string {
  const base = (raw ?? '').normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  const chars = [...cleaned].slice(0, MAX_FILENAME_CHARS).join('');
  return chars.length > 0 ? chars : 'file';
}

// RFC 6266: an ASCII fallback in filename= and the exact name in filename*= (RFC 8187).
export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc8187(filename)}`;
}

function encodeRfc8187(value: string): string {
  // encodeURIComponent leaves ! ' ( ) * unescaped; attr-char does not allow ' ( ) *.
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

// The extension of a display name, lower-case without the dot ('' when none).
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
}
