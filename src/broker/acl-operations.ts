/**
 * Authorized-operations bit sets for Metadata, DescribeCluster and DescribeGroups. kafka-ts has
 * no ACLs, so every caller may do everything; the bit numbers are Kafka's AclOperation codes.
 */
const bits = (...codes: number[]) => codes.reduce((acc, c) => acc | (1 << c), 0);

// READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9,
// DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12, CREATE_TOKENS 13, DESCRIBE_TOKENS 14
export const TOPIC_OPERATIONS = bits(3, 4, 5, 6, 7, 8, 10, 11);
export const GROUP_OPERATIONS = bits(3, 6, 8);
export const CLUSTER_OPERATIONS = bits(5, 7, 8, 9, 10, 11, 12, 13, 14);
/** The value Kafka returns when authorized operations were not requested. */
export const NOT_REQUESTED = -2147483648;
