export { HTTP_STATUS_BY_CODE } from './lib/error-response';
export { bodyParserErrorHandler, HttpErrorFilter } from './lib/http-error.filter';
export { parseJsonField } from './lib/json-field';
