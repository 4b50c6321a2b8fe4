/**
 * A typed, promise-returning client for the CRI RuntimeService and ImageService
 * over grpc-js. The only place that sees gRPC: status codes become the errors of
 * util/errors here (NOT_FOUND -> NotFoundError, UNAVAILABLE -> UnavailableError),
 * everything else stays an Error carrying the runtime's message.
 */
import * as grpc from '@grpc/grpc-js';
import { fromJSON, type MethodDefinition, type PackageDefinition } from '@grpc/proto-loader';
import { NotFoundError, UnavailableError } from '../../../util/errors.ts';
import { criApiDescriptor, IMAGE_METHODS, RUNTIME_METHODS } from './api.ts';

export type CriMethod = (typeof RUNTIME_METHODS)[number] | (typeof IMAGE_METHODS)[number];

import { DEFAULT_CRI_ENDPOINT } from '../types.ts';

let definition: PackageDefinition | undefined;
function packageDefinition(): PackageDefinition {
  definition ??= fromJSON(criApiDescriptor, {
    keepCase: true,
    longs: Number,
    enums: String,
    bytes: Buffer,
    defaults: true,
    arrays: true,
    objects: true,
  });
  return definition;
}

/** A gRPC failure carries `code` and `details`; anything else is not one. */
function isServiceError(err: unknown): err is grpc.ServiceError {
  return err instanceof Error && typeof (err as Partial<grpc.ServiceError>).code === 'number';
}

export function grpcCode(err: unknown): grpc.status | undefined {
  if (isServiceError(err)) return err.code;
  if (err instanceof Error && err.cause !== undefined) return grpcCode(err.cause);
  return undefined;
}

export interface CriClientOptions {
  /** `unix:///path` or a bare socket path. Default: containerd's socket. */
  endpoint?: string;
}

export interface CallOptions {
  /** Milliseconds until the call fails with DEADLINE_EXCEEDED (default: none). */
  timeoutMs?: number;
  /** Cancels the call (it then fails with CANCELLED). */
  signal?: AbortSignal;
}

export class CriClient {
  readonly endpoint: string;
  readonly #client: grpc.Client;
  readonly #methods = new Map<string, MethodDefinition<object, object>>();

  constructor(options: CriClientOptions = {}) {
    const endpoint = options.endpoint ?? DEFAULT_CRI_ENDPOINT;
    this.endpoint = endpoint.includes('://') ? endpoint : `unix://${endpoint}`;
    this.#client = new grpc.Client(this.endpoint, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
    });
    const def = packageDefinition();
    for (const [service, names] of [
      ['runtime.v1.RuntimeService', RUNTIME_METHODS],
      ['runtime.v1.ImageService', IMAGE_METHODS],
    ] as const) {
      const methods = def[service] as Record<string, MethodDefinition<object, object>>;
      for (const name of names) this.#methods.set(name, methods[name]);
    }
  }

  /** One unary call; `request`/response shapes are those of api.ts's descriptor. */
  call<Res>(method: CriMethod, request: object, options: CallOptions = {}): Promise<Res> {
    const def = this.#methods.get(method);
    if (!def) throw new Error(`cri: unknown method ${method}`);
    const callOptions: grpc.CallOptions = {};
    if (options.timeoutMs) callOptions.deadline = Date.now() + options.timeoutMs;
    return new Promise<Res>((resolve, reject) => {
      const cancel = () => call.cancel();
      const call = this.#client.makeUnaryRequest<object, object>(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        request,
        new grpc.Metadata(),
        callOptions,
        (err, value) => {
          options.signal?.removeEventListener('abort', cancel);
          if (err) reject(translate(method, err));
          else resolve(value as Res);
        },
      );
      if (options.signal?.aborted) cancel();
      else options.signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  close(): void {
    this.#client.close();
  }
}

function translate(method: string, err: grpc.ServiceError): Error {
  const message = `cri ${method}: ${err.details || err.message}`;
  switch (err.code) {
    case grpc.status.NOT_FOUND:
      return new NotFoundError(message, { cause: err });
    case grpc.status.UNAVAILABLE:
      return new UnavailableError(message, { cause: err });
    default:
      return new Error(message, { cause: err });
  }
}
