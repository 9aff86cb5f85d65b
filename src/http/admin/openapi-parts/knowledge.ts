/** OpenAPI paths of the knowledge screens' endpoints, merged into the admin API's document (openapi.ts). */
export const knowledgePaths: Record<string, object> = {};
