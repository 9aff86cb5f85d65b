/** OpenAPI paths of the support screens' endpoints, merged into the admin API's document (openapi.ts). */
export const supportPaths: Record<string, object> = {};
