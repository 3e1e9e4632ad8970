// The JetStream API error table: HTTP-like code, err_code and description of
// every error the Go server (2.10) can answer, from the facts of its
// errors.json. Descriptions may hold {placeholders} filled by jsError().
// Shared by the stream and consumer API handlers; no behaviour lives here.

/** [code, err_code, description]. */
type ErrorFact = readonly [number, number, string];

export const JS_ERRORS = {
  accountResourcesExceeded: [400, 10002, "resource limits exceeded for account"],
  badRequest: [400, 10003, "bad request"],
  clusterIncomplete: [503, 10004, "incomplete results"],
  clusterNoPeers: [400, 10005, "{err}"],
  clusterNotActive: [500, 10006, "JetStream not in clustered mode"],
  clusterNotAssigned: [500, 10007, "JetStream cluster not assigned to this server"],
  clusterNotAvail: [503, 10008, "JetStream system temporarily unavailable"],
  clusterNotLeader: [500, 10009, "JetStream cluster can not handle request"],
  clusterRequired: [503, 10010, "JetStream clustering support required"],
  clusterTags: [400, 10011, "tags placement not supported for operation"],
  consumerCreate: [500, 10012, "{err}"],
  consumerNameExist: [400, 10013, "consumer name already in use"],
  consumerNotFound: [404, 10014, "consumer not found"],
  snapshotDeliverSubjectInvalid: [400, 10015, "deliver subject not valid"],
  consumerDurableNameNotInSubject: [400, 10016, "consumer expected to be durable but no durable name set in subject"],
  consumerDurableNameNotMatchSubject: [400, 10017, "consumer name in subject does not match durable name in request"],
  consumerDurableNameNotSet: [400, 10018, "consumer expected to be durable but a durable name was not set"],
  consumerEphemeralWithDurableInSubject: [400, 10019, "consumer expected to be ephemeral but detected a durable name set in subject"],
  consumerEphemeralWithDurableName: [400, 10020, "consumer expected to be ephemeral but a durable name was set in request"],
  streamExternalApiOverlap: [400, 10021, "stream external api prefix {prefix} must not overlap with {subject}"],
  streamExternalDelPrefixOverlaps: [400, 10022, "stream external delivery prefix {prefix} overlaps with stream subject {subject}"],
  insufficientResources: [503, 10023, "insufficient resources"],
  streamInvalidExternalDeliverySubj: [400, 10024, "stream external delivery prefix {prefix} must not contain wildcards"],
  invalidJSON: [400, 10025, "invalid JSON"],
  maximumConsumersLimit: [400, 10026, "maximum consumers limit reached"],
  maximumStreamsLimit: [400, 10027, "maximum number of streams reached"],
  memoryResourcesExceeded: [500, 10028, "insufficient memory resources available"],
  mirrorConsumerSetupFailed: [500, 10029, "{err}"],
  mirrorMaxMessageSizeTooBig: [400, 10030, "stream mirror must have max message size >= source"],
  mirrorWithSources: [400, 10031, "stream mirrors can not also contain other sources"],
  mirrorWithStartSeqAndTime: [400, 10032, "stream mirrors can not have both start seq and start time configured"],
  mirrorWithSubjectFilters: [400, 10033, "stream mirrors can not contain filtered subjects"],
  mirrorWithSubjects: [400, 10034, "stream mirrors can not contain subjects"],
  noAccount: [503, 10035, "account not found"],
  clusterUnSupportFeature: [503, 10036, "not currently supported in clustered mode"],
  noMessageFound: [404, 10037, "no message found"],
  notEmptyRequest: [400, 10038, "expected an empty request payload"],
  notEnabledForAccount: [503, 10039, "JetStream not enabled for account"],
  clusterPeerNotMember: [400, 10040, "peer not a member"],
  raftGeneral: [500, 10041, "{err}"],
  restoreSubscribeFailed: [500, 10042, "JetStream unable to subscribe to restore snapshot {subject}: {err}"],
  sequenceNotFound: [400, 10043, "sequence {seq} not found"],
  clusterServerNotMember: [400, 10044, "server is not a member of the cluster"],
  sourceConsumerSetupFailed: [500, 10045, "{err}"],
  sourceMaxMessageSizeTooBig: [400, 10046, "stream source must have max message size >= target"],
  storageResourcesExceeded: [500, 10047, "insufficient storage resources available"],
  streamAssignment: [500, 10048, "{err}"],
  streamCreate: [500, 10049, "{err}"],
  streamDelete: [500, 10050, "{err}"],
  streamGeneral: [500, 10051, "{err}"],
  streamInvalidConfig: [500, 10052, "{err}"],
  streamLimits: [500, 10053, "{err}"],
  streamMessageExceedsMaximum: [400, 10054, "message size exceeds maximum allowed"],
  streamMirrorNotUpdatable: [400, 10055, "stream mirror configuration can not be updated"],
  streamMismatch: [400, 10056, "stream name in subject does not match request"],
  streamMsgDeleteFailed: [500, 10057, "{err}"],
  streamNameExist: [400, 10058, "stream name already in use with a different configuration"],
  streamNotFound: [404, 10059, "stream not found"],
  streamNotMatch: [400, 10060, "expected stream does not match"],
  streamReplicasNotUpdatable: [400, 10061, "Replicas configuration can not be updated"],
  streamRestore: [500, 10062, "restore failed: {err}"],
  streamSequenceNotMatch: [503, 10063, "expected stream sequence does not match"],
  streamSnapshot: [500, 10064, "snapshot failed: {err}"],
  streamSubjectOverlap: [400, 10065, "subjects overlap with an existing stream"],
  streamTemplateCreate: [500, 10066, "{err}"],
  streamTemplateDelete: [500, 10067, "{err}"],
  streamTemplateNotFound: [404, 10068, "template not found"],
  streamUpdate: [500, 10069, "{err}"],
  streamWrongLastMsgID: [400, 10070, "wrong last msg ID: {id}"],
  streamWrongLastSequence: [400, 10071, "wrong last sequence: {seq}"],
  tempStorageFailed: [500, 10072, "JetStream unable to open temp storage for restore"],
  templateNameNotMatchSubject: [400, 10073, "template name in subject does not match request"],
  streamReplicasNotSupported: [500, 10074, "replicas > 1 not supported in non-clustered mode"],
  peerRemap: [503, 10075, "peer remap failed"],
  notEnabled: [503, 10076, "JetStream not enabled"],
  streamStoreFailed: [503, 10077, "{err}"],
  consumerConfigRequired: [400, 10078, "consumer config required"],
  consumerDeliverToWildcards: [400, 10079, "consumer deliver subject has wildcards"],
  consumerPushMaxWaiting: [400, 10080, "consumer in push mode can not set max waiting"],
  consumerDeliverCycle: [400, 10081, "consumer deliver subject forms a cycle"],
  consumerMaxPendingAckPolicyRequired: [400, 10082, "consumer requires ack policy for max ack pending"],
  consumerSmallHeartbeat: [400, 10083, "consumer idle heartbeat needs to be >= 100ms"],
  consumerPullRequiresAck: [400, 10084, "consumer in pull mode requires ack policy"],
  consumerPullNotDurable: [400, 10085, "consumer in pull mode requires a durable name"],
  consumerPullWithRateLimit: [400, 10086, "consumer in pull mode can not have rate limit set"],
  consumerMaxWaitingNegative: [400, 10087, "consumer max waiting needs to be positive"],
  consumerHBRequiresPush: [400, 10088, "consumer idle heartbeat requires a push based consumer"],
  consumerFCRequiresPush: [400, 10089, "consumer flow control requires a push based consumer"],
  consumerDirectRequiresPush: [400, 10090, "consumer direct requires a push based consumer"],
  consumerDirectRequiresEphemeral: [400, 10091, "consumer direct requires an ephemeral consumer"],
  consumerOnMapped: [400, 10092, "consumer direct on a mapped consumer"],
  consumerFilterNotSubset: [400, 10093, "consumer filter subject is not a valid subset of the interest subjects"],
  consumerInvalidPolicy: [400, 10094, "{err}"],
  consumerInvalidSampling: [400, 10095, "failed to parse consumer sampling configuration: {err}"],
  streamInvalid: [500, 10096, "stream not valid"],
  streamHeaderExceedsMaximum: [400, 10097, "header size exceeds maximum allowed of 64k"],
  consumerWQRequiresExplicitAck: [400, 10098, "workqueue stream requires explicit ack"],
  consumerWQMultipleUnfiltered: [400, 10099, "multiple non-filtered consumers not allowed on workqueue stream"],
  consumerWQConsumerNotUnique: [400, 10100, "filtered consumer not unique on workqueue stream"],
  consumerWQConsumerNotDeliverAll: [400, 10101, "consumer must be deliver all on workqueue stream"],
  consumerNameTooLong: [400, 10102, "consumer name is too long, maximum allowed is {max}"],
  consumerBadDurableName: [400, 10103, "durable name can not contain '.', '*', '>'"],
  consumerStoreFailed: [500, 10104, "error creating store for consumer: {err}"],
  consumerExistingActive: [400, 10105, "consumer already exists and is still active"],
  consumerReplacementWithDifferentName: [400, 10106, "consumer replacement durable config not the same"],
  consumerDescriptionTooLong: [400, 10107, "consumer description is too long, maximum allowed is {max}"],
  consumerWithFlowControlNeedsHeartbeats: [400, 10108, "consumer with flow control also needs heartbeats"],
  streamSealed: [400, 10109, "invalid operation on sealed stream"],
  streamPurgeFailed: [500, 10110, "{err}"],
  streamRollupFailed: [500, 10111, "{err}"],
  consumerInvalidDeliverSubject: [400, 10112, "invalid push consumer deliver subject"],
  streamMaxBytesRequired: [400, 10113, "account requires a stream config to have max bytes set"],
  consumerMaxRequestBatchNegative: [400, 10114, "consumer max request batch needs to be > 0"],
  consumerMaxRequestExpiresToSmall: [400, 10115, "consumer max request expires needs to be >= 1ms"],
  consumerMaxDeliverBackoff: [400, 10116, "max deliver is required to be > length of backoff values"],
  streamInfoMaxSubjects: [500, 10117, "subject details would exceed maximum allowed"],
  streamOffline: [500, 10118, "stream is offline"],
  consumerOffline: [500, 10119, "consumer is offline"],
  noLimits: [400, 10120, "no JetStream default or applicable tiered limit present"],
  consumerMaxPendingAckExcess: [400, 10121, "consumer max ack pending exceeds system limit of {limit}"],
  streamMaxStreamBytesExceeded: [400, 10122, "stream max bytes exceeds account limit max stream bytes"],
  streamMoveAndScale: [400, 10123, "can not move and scale a stream in a single update"],
  streamMoveInProgress: [400, 10124, "stream move already in progress: {msg}"],
  consumerMaxRequestBatchExceeded: [400, 10125, "consumer max request batch exceeds server limit of {limit}"],
  consumerReplicasExceedsStream: [400, 10126, "consumer config replica count exceeds parent stream"],
  consumerNameContainsPathSeparators: [400, 10127, "Consumer name can not contain path separators"],
  streamNameContainsPathSeparators: [400, 10128, "Stream name can not contain path separators"],
  streamMoveNotInProgress: [400, 10129, "stream move not in progress"],
  streamNameExistRestoreFailed: [400, 10130, "stream name already in use, cannot restore"],
  consumerCreateFilterSubjectMismatch: [400, 10131, "Consumer create request did not match filtered subject from create subject"],
  consumerCreateDurableAndNameMismatch: [400, 10132, "Consumer Durable and Name have to be equal if both are provided"],
  replicasCountCannotBeNegative: [400, 10133, "replicas count cannot be negative"],
  consumerReplicasShouldMatchStream: [400, 10134, "consumer config replicas must match interest retention stream's replicas"],
  consumerMetadataLength: [400, 10135, "consumer metadata exceeds maximum size of {limit}"],
  consumerDuplicateFilterSubjects: [400, 10136, "consumer cannot have both FilterSubject and FilterSubjects specified"],
  consumerMultipleFiltersNotAllowed: [400, 10137, "consumer with multiple subject filters cannot use subject based API"],
  consumerOverlappingSubjectFilters: [400, 10138, "consumer subject filters cannot overlap"],
  consumerEmptyFilter: [400, 10139, "consumer filter in FilterSubjects cannot be empty"],
  sourceDuplicateDetected: [400, 10140, "duplicate source configuration detected"],
  sourceInvalidStreamName: [400, 10141, "sourced stream name is invalid"],
  mirrorInvalidStreamName: [400, 10142, "mirrored stream name is invalid"],
  mirrorWithFirstSeq: [400, 10143, "stream mirrors can not have first sequence configured"],
  sourceMultipleFiltersNotAllowed: [400, 10144, "source with multiple subject transforms cannot also have a single subject filter"],
  sourceInvalidSubjectFilter: [400, 10145, "source subject filter is invalid"],
  sourceInvalidTransformDestination: [400, 10146, "source transform destination is invalid"],
  sourceOverlappingSubjectFilters: [400, 10147, "source filters can not overlap"],
  consumerAlreadyExists: [400, 10148, "consumer already exists"],
  consumerDoesNotExist: [400, 10149, "consumer does not exist"],
  mirrorMultipleFiltersNotAllowed: [400, 10150, "mirror with multiple subject transforms cannot also have a single subject filter"],
  mirrorInvalidSubjectFilter: [400, 10151, "mirror subject filter is invalid"],
  mirrorOverlappingSubjectFilters: [400, 10152, "mirror subject filters can not overlap"],
  consumerInactiveThresholdExcess: [400, 10153, "consumer inactive threshold exceeds system limit of {limit}"],
} as const satisfies Record<string, ErrorFact>;

export type JsErrorName = keyof typeof JS_ERRORS;

/** The "error" object of an API response envelope. */
export interface ApiError {
  code: number;
  err_code: number;
  description: string;
}

/** An API error by name; {placeholders} in the description are replaced from params. */
export function jsError(name: JsErrorName, params?: Record<string, string | number>): ApiError {
  const [code, errCode, text] = JS_ERRORS[name];
  let description: string = text;
  if (params) description = description.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
  return { code, err_code: errCode, description };
}

/** Thrown by stream and consumer code; the API layer turns it into the error envelope. */
export class JsApiError extends Error {
  constructor(readonly error: ApiError) {
    super(error.description);
  }
}

/** Throw-ready form of jsError. */
export function jsFail(name: JsErrorName, params?: Record<string, string | number>): JsApiError {
  return new JsApiError(jsError(name, params));
}
