/**
 * The archive of calendars, contacts, To Do tasks and notes (issue 7). Reads for the portal and the CLI
 * (point in time, calendar views, cards, task lists, notes, originals with ICS/vCard), the sync's page
 * commit, and the ICS/vCard renderers. See worker/src/pim/README.md for what Graph does and does not return.
 */
export { renderEventIcs, type TIcsAttachment } from "./ics";
export {
  expandEvent,
  getCalendarView,
  getContactCards,
  getNotes,
  getPimItem,
  getTaskLists,
  listPimContainers,
  listPimItemHistory,
  listPimItems,
  PIM_DATA_TYPES,
  readPimOriginal,
  readPimPart,
  type TAtOptions,
  type TCalendarInstance,
  type TContactCard,
  type TNoteView,
  type TPimContainer,
  type TPimDataType,
  type TPimItem,
  type TPimOriginal,
  type TPimPart,
  type TTaskView,
} from "./read";
export { renderContactVcard } from "./vcard";
export { commitPimPage, countCurrentItems, loadParts, type TPartInsert, type TPimPageCommit } from "./write";
