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
