import type { IncomingHttpHeaders } from 'node:http';
import { badRequest } from '../errors.js';

/**
 * The bytes of the file part of a `multipart/form-data` body (the `snapshot` field of Qdrant's
 * snapshot upload, or the first part carrying a file); 400 when the body is not one.
 */
export function uploadedFile(headers: IncomingHttpHeaders, body: Buffer): Buffer {
  const type = headers['content-type'] ?? '';
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
  if (!type.toLowerCase().startsWith('multipart/form-data') || !boundary)
    throw badRequest('expected a multipart/form-data body with a `snapshot` file part');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Array<{ head: string; data: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2); // drop the CRLF after the delimiter and before the next
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0)
      parts.push({ head: part.subarray(0, split).toString('utf8'), data: part.subarray(split + 4) });
    at = next;
  }
  const file =
    parts.find((p) => /name="snapshot"/i.test(p.head)) ?? parts.find((p) => /filename=/i.test(p.head));
  if (!file) throw badRequest('the multipart body has no `snapshot` file part');
  return Buffer.from(file.data);
}
