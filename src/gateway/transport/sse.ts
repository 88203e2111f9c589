// Server-Sent Events (text/event-stream), as the WHATWG HTML standard defines the format, read
// incrementally from the bytes of an HTTP body: each event is handed on as soon as its blank line
// arrives, not when the stream ends. Lines end in LF, CR or CRLF (a CRLF may be split across two
// chunks); each line is decoded as UTF-8 on its own, which is safe since no byte of a multi-byte
// character is ever CR or LF. An event larger than the cap is dropped, whole, and reported once,
// so a peer cannot make the gateway buffer without bound.

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

export interface SseHandlers {
  /** One event with at least one `data:` line; `type` is undefined when it named none. */
  onEvent(type: string | undefined, data: string): void;
  /** The stream asked for another reconnection delay (`retry:`), in milliseconds. */
  onRetry?(ms: number): void;
  /** An event grew past the cap: it is dropped, up to its blank line. */
  onOversized(): void;
}

export interface SseDecoder {
  push(chunk: Buffer): void;
  /** The stream ended: an event without its blank line is dropped, as the standard says. */
  end(): void;
  /** The last `id:` seen, for Last-Event-ID when the stream is reopened. */
  readonly lastEventId: string | undefined;
}

export function createSseDecoder(handlers: SseHandlers, maxEventBytes: number): SseDecoder {
  /** The start of a line whose end has not arrived yet. */
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let data: string[] = [];
  let dataBytes = 0;
  let type: string | undefined;
  let lastEventId: string | undefined;
  /** The last chunk ended in CR: a LF at the start of the next one belongs to the same line end. */
  let afterCR = false;
  let first = true;
  /** The current event went over the cap: skip to its blank line. */
  let discarding = false;

  const resetEvent = (): void => {
    data = [];
    dataBytes = 0;
    type = undefined;
  };

  const oversized = (): void => {
    resetEvent();
    pending = [];
    discarding = true;
    handlers.onOversized();
  };

  const field = (line: Buffer, start: number, end: number): void => {
    if (start === end) {
      // A blank line: the event is complete.
      if (discarding) discarding = false;
      else if (data.length > 0) handlers.onEvent(type, data.join('\n'));
      resetEvent();
      return;
    }
    if (discarding) return;
    if (line[start] === COLON) return; // a comment (keep-alives are sent this way)
    // Searched within the line only: a search running on into the following lines would make a
    // chunk of many colon-less lines cost quadratic time.
    const found = line.subarray(start, end).indexOf(COLON);
    const colon = found === -1 ? end : start + found;
    const name = line.toString('latin1', start, colon);
    let valueStart = colon + 1;
    if (valueStart < end && line[valueStart] === SPACE) valueStart++;
    if (valueStart > end) valueStart = end;
    switch (name) {
      case 'data':
        dataBytes += end - valueStart + 1;
        if (dataBytes > maxEventBytes) {
          oversized();
          return;
        }
        data.push(line.toString('utf8', valueStart, end));
        return;
      case 'event':
        type = valueStart === end ? undefined : line.toString('utf8', valueStart, end);
        return;
      case 'id': {
        const id = line.toString('utf8', valueStart, end);
        if (!id.includes('\0')) lastEventId = id;
        return;
      }
      case 'retry': {
        const value = line.toString('latin1', valueStart, end);
        if (/^\d{1,9}$/.test(value)) handlers.onRetry?.(Number(value));
        return;
      }
      default:
      // Other fields are ignored, as the standard says.
    }
  };

  /** A line ends at `end` in `chunk`; whatever was pending comes before it. */
  const lineEnds = (chunk: Buffer, start: number, end: number): void => {
    if (discarding && pending.length === 0) {
      // Only whether the line is blank matters; nothing of it was kept.
      const blank = pendingBytes === 0 && start === end;
      pendingBytes = 0;
      if (blank) field(chunk, start, end);
      return;
    }
    if (pending.length === 0) {
      field(chunk, start, end);
      return;
    }
    pending.push(chunk.subarray(start, end));
    const line = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    field(line, 0, line.length);
  };

  return {
    get lastEventId() {
      return lastEventId;
    },
    push(chunk: Buffer): void {
      let start = 0;
      if (first) {
        first = false;
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3;
      }
      if (afterCR) {
        afterCR = false;
        if (chunk[start] === LF) start++;
      }
      // Where the next CR is, looked up again only once it is behind us: a stream that uses LF
      // alone (every MCP server seen) pays one search per chunk for it, not one per line.
      let nextCR = chunk.indexOf(CR, start);
      while (start < chunk.length) {
        let end = chunk.indexOf(LF, start);
        if (nextCR !== -1 && nextCR < start) nextCR = chunk.indexOf(CR, start);
        if (nextCR !== -1 && (end === -1 || nextCR < end)) end = nextCR;
        if (end === -1) break;
        lineEnds(chunk, start, end);
        if (chunk[end] === CR) {
          if (end + 1 === chunk.length) afterCR = true;
          else if (chunk[end + 1] === LF) end++;
        }
        start = end + 1;
      }
      if (start >= chunk.length) return;
      pendingBytes += chunk.length - start;
      if (discarding) return;
      if (pendingBytes + dataBytes > maxEventBytes) {
        pendingBytes = 0;
        oversized();
        // The rest of this line is skipped too, so it must not look blank when it ends.
        pendingBytes = 1;
        return;
      }
      // Copy: the stream may reuse the chunk's memory.
      pending.push(Buffer.from(chunk.subarray(start)));
    },
    end(): void {
      pending = [];
      pendingBytes = 0;
      discarding = false;
      resetEvent();
    },
  };
}
