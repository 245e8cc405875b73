// Paging cursors live in lib/ so that services can page without importing the HTTP layer.
export { decodeCursor, encodeCursor, newestFirst, newestFirstPage } from '../../lib/cursor';
