import { z } from "zod";

export const registerBodySchema = z.strictObject({
  email: z
    .email()
    .max(254)
    .transform((email) => email.toLowerCase()),
  // Long enough to resist guessing, short enough that hashing cannot be used for a DoS.
  password: z.string().min(10, "at least 10 characters").max(256, "at most 256 characters"),
});
export type RegisterBody = z.infer<typeof registerBodySchema>;

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  createdAt: z.iso.datetime(),
});
export type User = z.infer<typeof userSchema>;

export const registerResponseSchema = z.object({
  user: userSchema,
  apiKey: z.object({ id: z.string(), prefix: z.string(), secret: z.string() }),
});
export type RegisterResponse = z.infer<typeof registerResponseSchema>;

export const loginBodySchema = z.strictObject({
  email: z
    .string()
    .max(254)
    .transform((email) => email.toLowerCase()),
  password: z.string().min(1).max(256),
});
export type LoginBody = z.infer<typeof loginBodySchema>;

export const refreshBodySchema = z.strictObject({
  refreshToken: z.string().min(1).max(200),
});

export const tokenPairSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal("Bearer"),
  expiresIn: z.number().int(),
  refreshToken: z.string(),
});
export type TokenPair = z.infer<typeof tokenPairSchema>;

export const createApiKeyBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** Required when the caller authenticates with an access token (not with an API key). */
  password: z.string().min(1).max(1024).optional(),
});

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;
