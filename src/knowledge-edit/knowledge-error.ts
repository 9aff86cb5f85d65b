/** A refusal of the knowledge editor, with the stable code and field the console words. */
export class KnowledgeError extends Error {
  override name = "KnowledgeError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
