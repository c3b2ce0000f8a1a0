/**
 * Identity of the Outlook add-in, shared by the task pane, the manifest test and (later) the worker:
 * Outlook stores an add-in's custom properties on a message as one JSON payload in the named MAPI property
 * `cecp-<add-in Id>` (PS_PUBLIC_STRINGS), so the worker must know this Id to write what the pane reads.
 * It must equal `<Id>` in the repository's manifest.xml (checked by addin/tools/manifest.test.ts).
 */
export const ADDIN_ID = "0cc094d0-d583-4b30-87c2-f582524cb55a";

/** The Graph single-value extended property name that holds this add-in's custom properties. */
export const ADDIN_CUSTOM_PROPERTIES_NAME = `cecp-${ADDIN_ID}`;
