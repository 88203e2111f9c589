// One HTTP request to the upstream on undici's dispatch() and a handler of our own, not its
// request() API: that one wraps every answer's body in a Readable stream and every request in an
// 'abort' listener on an AbortSignal, a dozen objects and several ticks per call that the gateway
// does not need (bench/README.md: a tenth of the gateway's CPU per call under load). The body is
// handed on as undici parses it, to whichever reader the caller picks once it has seen the head.

import { STATUS_CODES } from 'node:http';

import type { Dispatcher } from 'undici';

/** An upstream's answer: its head, and its body as it comes. */
export interface Answer {
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  body: AnswerBody;
}

/** What reads an answer's body: its chunks as they come, then its end or why it broke off. */
export interface BodyReader {
  data(chunk: Buffer): void;
  end(): void;
  fail(error: Error): void;
}

/**
 * An answer's body. undici may push its first chunks in the same turn as the head, before the
 * caller has decided how to read it; those are kept (one socket read at most) until a reader comes.
 */
export class AnswerBody {
  #early: Buffer[] | undefined = [];
  #outcome: 'ended' | Error | undefined;
  #reader: BodyReader | undefined;
  readonly #controller: Dispatcher.DispatchController;

  constructor(controller: Dispatcher.DispatchController) {
    this.#controller = controller;
  }

  /** Starts reading: what came already, then the rest as it comes. Once per body. */
  read(reader: BodyReader): void {
    if (this.#reader !== undefined) throw new Error('an answer body is read once');
    this.#reader = reader;
    const early = this.#early as Buffer[];
    this.#early = undefined;
    for (const chunk of early) reader.data(chunk);
    if (this.#outcome === 'ended') reader.end();
    else if (this.#outcome !== undefined) reader.fail(this.#outcome);
  }

  /** Drops the connection rather than read on: a body too long, or a stream nobody wants. */
  drop(): void {
    if (this.#outcome === undefined) this.#controller.abort(new Error('the answer was dropped unread'));
  }

  push(chunk: Buffer): void {
    if (this.#outcome !== undefined) return;
    if (this.#reader === undefined) this.#early?.push(chunk);
    else this.#reader.data(chunk);
  }

  finish(outcome: 'ended' | Error): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;
    if (this.#reader === undefined) return;
    if (outcome === 'ended') this.#reader.end();
    else this.#reader.fail(outcome);
  }
}

/**
 * A channel's requests in flight, so that closing it can abort them: a list threaded through the
 * requests themselves, since a Set or Map that fills and empties on every call reallocates its
 * table each time, in the old generation once the channel has lived a while.
 */
export class InFlight {
  first: Exchange | undefined;

  /** Aborts every request in flight; those not yet on a socket fail at once. */
  abortAll(reason: Error): void {
    let exchange = this.first;
    while (exchange !== undefined) {
      // Aborting may unlink it at once.
      const next = exchange.next;
      exchange.abort(reason);
      exchange = next;
    }
  }
}

/** One request, redirects not followed: resolves with the head of the answer (1xx heads are skipped), rejects if none comes. */
export function dispatchOnce(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, inFlight: InFlight): Promise<Answer> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(options, new Exchange(inFlight, resolve, reject));
  });
}

class Exchange implements Dispatcher.DispatchHandler {
  previous: Exchange | undefined;
  next: Exchange | undefined;
  readonly #inFlight: InFlight;
  #resolve: ((answer: Answer) => void) | undefined;
  readonly #reject: (error: Error) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #body: AnswerBody | undefined;
  #aborted: Error | undefined;
  #done = false;

  constructor(inFlight: InFlight, resolve: (answer: Answer) => void, reject: (error: Error) => void) {
    this.#inFlight = inFlight;
    this.#resolve = resolve;
    this.#reject = reject;
    this.next = inFlight.first;
    if (this.next !== undefined) this.next.previous = this;
    inFlight.first = this;
  }

  abort(reason: Error): void {
    if (this.#done || this.#aborted !== undefined) return;
    this.#aborted = reason;
    if (this.#controller !== undefined) {
      this.#controller.abort(reason);
      return;
    }
    // Not on a socket yet: it fails now, and is aborted the moment undici starts it.
    this.#settle(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#aborted !== undefined) controller.abort(this.#aborted);
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    if (statusCode < 200 || this.#resolve === undefined) return;
    this.#body = new AnswerBody(controller);
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve({ status: statusCode, statusText: statusMessage || (STATUS_CODES[statusCode] ?? ''), headers, body: this.#body });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#body?.push(chunk);
  }

  onResponseEnd(): void {
    this.#settle('ended');
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.#settle(error);
  }

  #settle(outcome: 'ended' | Error): void {
    if (this.#done) return;
    this.#done = true;
    this.#unlink();
    if (this.#body !== undefined) this.#body.finish(outcome);
    else if (this.#resolve !== undefined) {
      this.#resolve = undefined;
      this.#reject(outcome === 'ended' ? new Error('the upstream ended the answer without a head') : outcome);
    }
  }

  #unlink(): void {
    if (this.previous !== undefined) this.previous.next = this.next;
    else this.#inFlight.first = this.next;
    if (this.next !== undefined) this.next.previous = this.previous;
    this.previous = this.next = undefined;
  }
}
