// The domain types the screens use, read off the generated command signatures (bindings.ts), so
// they follow the Rust types without being copied, whatever names the generator gives them.
// Outputs are what a command resolves to; inputs are the full shape of what a command accepts.

import type { Channel } from '@tauri-apps/api/core';
import type { commands } from './bindings';

type Commands = typeof commands;
type Resolved<K extends keyof Commands> = Awaited<ReturnType<Commands[K]>>;
/** What command K returns on success. */
export type Out<K extends keyof Commands> = Extract<Resolved<K>, { status: 'ok' }> extends { data: infer T } ? T : never;
/** Argument N of command K, with every optional field present (a form always sends them all). */
type Full<T> = { [P in keyof T]-?: Exclude<T[P], undefined> };
export type In<K extends keyof Commands, N extends number = 0> = Full<Parameters<Commands[K]>[N]>;

export type ErrorPayload = Extract<Resolved<'workspaceInfo'>, { status: 'error' }> extends { error: infer E } ? E : never;
export type FieldError = ErrorPayload['fields'][number];

export type WorkspaceInfo = Out<'workspaceInfo'>;
export type Staff = Out<'staffList'>[number];
export type Stage = Out<'stageList'>[number];
export type CustomField = Out<'customFieldList'>[number];
export type Customer = Out<'customerGet'>;
export type Contact = Customer['contacts'][number];
export type Phone = Customer['phones'][number];
export type Email = Customer['emails'][number];
export type CustomerPage = Out<'customerList'>;
export type CustomerSummary = CustomerPage['rows'][number];
export type Facets = Out<'facets'>;
export type Created = Out<'customerCreate'>;
export type DuplicateHit = Out<'customerCheckDuplicates'>[number];
export type HistoryEntry = Out<'history'>[number];
export type FieldChange = HistoryEntry['change'];
export type TimelinePage = Out<'timeline'>;
export type TimelineEntry = TimelinePage['entries'][number];
export type Interaction = Out<'interactionAdd'>;
export type PurchaseItem = Interaction['items'][number];

export type CustomerInput = In<'customerCreate'>;
export type CustomerFilter = In<'customerList'>;
export type ContactInput = In<'contactAdd', 1>;
export type InteractionInput = In<'interactionAdd', 1>;
export type StaffInput = In<'staffAdd'>;
export type CustomFieldInput = In<'customFieldAdd'>;

export type ImportOptions = In<'importPreview', 1>;
export type ImportPreview = Out<'importPreview'>;
export type PreviewRow = ImportPreview['rows'][number];
export type Mapping = ImportPreview['mapping'];
export type ImportReport = Out<'importRun'>;
/** What an import reports as it runs, on the channel `importRun` takes. */
export type ImportProgress = Parameters<Commands['importRun']>[3] extends Channel<infer T> ? T : never;
export type UpdateProgress = Parameters<Commands['updateInstall']>[0] extends Channel<infer T> ? T : never;
export type UpdateStatus = Out<'updateStatus'>;
export type UpdateInfo = NonNullable<Out<'updateCheck'>>;
export type OpenedFile = NonNullable<Out<'openedFileTake'>>;
export type RowError = ImportReport['failed'][number];
export type ImportSummary = Out<'importList'>[number];
export type UndoReport = Out<'importUndo'>;
export type ExportReport = Out<'exportCustomers'>;
export type ExportFormat = Parameters<typeof commands.exportCustomers>[1];
export type BackupInfo = Out<'backupList'>[number];
export type CheckReport = Out<'workspaceCheck'>;
export type DuplicatePair = Out<'duplicatePairs'>[number];
export type FieldConflict = Out<'mergeConflicts'>[number];
export type MergeReport = Out<'mergeCustomers'>;
export type NamedMapping = Out<'mappingList'>[number];
export type WorkspaceStatus = Out<'workspaceStatus'>;
export type WaitNotice = NonNullable<WorkspaceStatus['long_write']>;
export type RestoreFailure = NonNullable<WorkspaceStatus['restore_failed']>;
export type PhoneInfo = Out<'phoneInfo'>;

export type BulkTarget = In<'customerBulk'>;
export type BulkAction = In<'customerBulk', 1>;
export type BulkReport = Out<'customerBulk'>;
export type BulkKind = BulkAction['action'];

export type Segment = Out<'segmentList'>[number];
export type SegmentInput = In<'segmentCreate'>;
export type SegmentPreset = Out<'segmentPresets'>[number];
export type FieldSpec = Out<'segmentFields'>[number];

export type DealStage = Out<'dealStageList'>[number];
export type DealStageInput = In<'dealStageAdd'>;
export type Deal = Out<'dealCreate'>;
export type DealInput = In<'dealCreate', 1>;
export type DealFilter = In<'pipeline'>;
export type Pipeline = Out<'pipeline'>;
export type PipelineColumn = Pipeline['columns'][number];
export type MoneyTotal = PipelineColumn['totals'][number];

export type StoredPlan = Out<'carePlanList'>[number];
export type CarePlanInput = In<'carePlanCreate'>;
export type PlanStepInput = CarePlanInput['steps'][number];
export type Assignee = PlanStepInput['assignee'];
export type CareTask = Out<'careTasks'>[number];
export type CareChannel = CareTask['channel'];
export type TaskFilter = In<'careTasks'>;
export type EnrolReport = Out<'careEnrol'>;
export type ReminderSettings = Out<'reminderSettings'>;
export type NotifierStatus = Out<'reminderStatus'>;
export type ReminderEvent = Parameters<Parameters<(typeof import('./bindings'))['events']['reminderEvent']['listen']>[0]>[0]['payload'];
export type Notice = ReminderEvent['notice'];

export type Team = Out<'teamList'>[number];
export type TeamInput = In<'teamCreate'>;
export type TicketStage = Team['stages'][number];
export type SlaPolicy = Team['sla'][number];
export type TicketDetail = Out<'ticketGet'>;
export type Ticket = TicketDetail['ticket'];
export type TicketMessage = TicketDetail['messages'][number];
export type Attachment = TicketMessage['attachments'][number];
export type CheckItem = TicketDetail['checklist'][number];
export type SlaTarget = Ticket['sla'][number];
export type TicketPage = Out<'ticketList'>;
export type TicketFilter = In<'ticketList'>;
export type TicketView = TicketFilter['view'];
export type NewTicket = In<'ticketCreate'>;
export type MessageKind = Parameters<(typeof import('./bindings'))['commands']['ticketMessage']>[1];
export type SurveyAnswer = TicketDetail['surveys'][number];
export type SurveyAnswerInput = In<'surveyRecord', 1>;
export type SurveyKind = SurveyAnswerInput['kind'];
export type Canned = Out<'cannedList'>[number];
export type CannedInput = In<'cannedCreate'>;
export type TicketStageInput = NonNullable<TeamInput['stages']>[number];
export type SlaInput = TeamInput['sla'][number];
// a rule's parts have defaults when read from a file, so their fields read as optional
export type Rule = Out<'ruleList'>[number];
export type RuleInput = In<'ruleCreate'>;
export type RuleFired = NonNullable<TicketMessage['rule']>;
export type TicketRef = TicketDetail['linked'][number];
export type SyncStatus = Out<'syncStatus'>;
export type SyncLink = NonNullable<SyncStatus['link']>;
export type SyncRefusal = SyncStatus['refusals'][number];
export type SyncProgress = Parameters<Commands['syncShare']>[2] extends Channel<infer T> ? T : never;
export type SyncReport = Out<'syncNow'>;
export type Members = Out<'syncMembers'>;
export type SyncMember = Members['members'][number];
export type InviteAnswer = Out<'syncInvite'>;
export type Role = Staff['role'];
export type Report = Out<'reportGet'>;
export type ReportQuery = In<'reportGet'>;
export type Kpis = Report['current'];
export type TimeBasis = ReportQuery['time'];
export type TicketMeasure = Parameters<Commands['reportTickets']>[0]['measure'];
export type CustomerMeasure = Parameters<Commands['reportCustomers']>[0]['measure'];
export type CareMeasure = Parameters<Commands['reportCareTasks']>[0]['measure'];
export type DealMeasure = Parameters<Commands['reportDeals']>[0]['measure'];
export type ReportDeals = Out<'reportDeals'>;
/** A number of a report opened as the list behind it. */
export type Drill<M> = Omit<Parameters<Commands['reportTickets']>[0], 'measure'> & { measure: M };
export type ReportSettings = Out<'reportSettingsGet'>;
