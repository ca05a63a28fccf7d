import { request, type Transport } from "./transport.js";
import type { ApiKey, CreateApiKeyInput, CreatedApiKey } from "./types.js";

/** `client.apiKeys`: long-lived keys for servers. Secrets are shown once, at creation. */
export class ApiKeysApi {
  constructor(private readonly transport: Transport) {}

  async create(body: CreateApiKeyInput, options: { signal?: AbortSignal } = {}): Promise<CreatedApiKey> {
    const { data } = await request<CreatedApiKey>(this.transport, "/v1/api-keys", {
      method: "POST",
      body,
      signal: options.signal,
    });
    return data;
  }

  async list(options: { signal?: AbortSignal } = {}): Promise<ApiKey[]> {
    const { data } = await request<{ data: ApiKey[] }>(this.transport, "/v1/api-keys", { signal: options.signal });
    return data.data;
  }

  /** Revokes the key at once; requests made with it answer 401 from then on. */
  async delete(id: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await request<void>(this.transport, `/v1/api-keys/${encodeURIComponent(id)}`, {
      method: "DELETE",
      signal: options.signal,
    });
  }
}
