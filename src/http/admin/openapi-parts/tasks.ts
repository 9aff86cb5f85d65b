/** OpenAPI paths of the tasks screens' endpoints, merged into the admin API's document (openapi.ts). */
export const tasksPaths: Record<string, object> = {};
