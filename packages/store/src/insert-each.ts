import { type Collection, MongoBulkWriteError, type OptionalUnlessRequiredId } from "mongodb";

/** One document of a batch could not be written because its unique key was taken. */
export class DuplicateKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DuplicateKeyError";
  }
}

/**
 * Inserts many documents in one command and answers for each: null when written, an Error
 * when not (a DuplicateKeyError for a taken unique key). Unordered, so one bad document
 * does not keep the others out. A failure of the whole command rejects.
 */
export async function insertEach<T extends { _id: string }>(
  collection: Collection<T>,
  docs: readonly T[],
): Promise<Array<Error | null>> {
  const answers: Array<Error | null> = docs.map(() => null);
  if (docs.length === 0) return answers;
  try {
    await collection.insertMany(docs as unknown as OptionalUnlessRequiredId<T>[], { ordered: false });
  } catch (error) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const failed = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    for (const writeError of failed) {
      answers[writeError.index] =
        writeError.code === 11000
          ? new DuplicateKeyError(writeError.errmsg ?? "duplicate key")
          : new Error(writeError.errmsg);
    }
    // Not one per document: the command itself failed part-way (connection lost).
    if (failed.length === 0) throw error;
  }
  return answers;
}
