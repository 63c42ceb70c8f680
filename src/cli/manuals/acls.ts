/** The man page of kafka-ts acls (kafka-ts-acls(1)). */
import type { CommandSpec } from '../command.js';

export const docs: Omit<CommandSpec, 'name' | 'build' | 'run'> = {
  summary: 'add, remove or list ACLs (kafka-acls.sh)',
  synopsis: [
    '[--bootstrap-server host:port] --add --allow-principal P | --deny-principal P [--operation OP]... (--topic T | --group G | --cluster | --transactional-id X)...',
    '[--bootstrap-server host:port] --add --allow-principal P --producer [--idempotent] --topic T | --consumer --topic T --group G',
    '[--bootstrap-server host:port] --remove [--force] RESOURCE... [--allow-principal P ...] | --list [RESOURCE...] [--principal P]...',
    'add ... | remove ... | list ...',
  ],
  description: [
    "Manages the broker's ACLs with the options of kafka-acls.sh. Exactly one action is given, as a flag (--add, --remove, --list) or as a verb (kafka-ts acls add …). An ACL allows (--allow-principal) or denies (--deny-principal) a principal (User:alice; User:* is every user) an operation (--operation, repeatable: Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, All; All by default) on a resource from hosts (--allow-host / --deny-host, * by default; a host option applies only to its own kind of principal: --deny-host without --deny-principal has no effect, as in kafka-acls.sh, and is warned about on stderr). Resources: --topic, --group, --transactional-id (each repeatable; * means all), --cluster. --resource-pattern-type literal (default) or prefixed names a pattern when adding; listing and removing also take match (every ACL that applies to the named resource) and any (every pattern type, exact name).",
    '--producer adds Write, Describe and Create on the topics (and Write, Describe on transactional ids; --idempotent adds IdempotentWrite on the cluster); --consumer adds Read and Describe on the topics and Read on the group. Deny rules win over allow rules.',
    '--remove asks for confirmation per resource filter (y/n) unless --force is given; when standard input is not a terminal it refuses without --force. Without principals it removes every ACL of the named resources.',
    'The text layout is kafka-acls.sh\'s: "Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`:" followed by one "(principal=…, host=…, operation=…, permissionType=…)" line per entry, then the "Current ACLs for resource" blocks. With --output json: {"resources":[{resourceType, name, patternType, acls:[{principal, host, operation, permissionType}]}]} for --list, plus "added" or "removed" for --add and --remove.',
    "The broker must run an authorizer (authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer in the local daemon's server.properties); without one it answers SECURITY_DISABLED. Without --bootstrap-server the command talks to the local daemon over its Unix socket, whose user is a super user.",
  ],
  examples: [
    ['Let alice produce to orders', 'kafka-ts acls --add --allow-principal User:alice --producer --topic orders'],
    ['Let alice consume orders in group billing', 'kafka-ts acls --add --allow-principal User:alice --consumer --topic orders --group billing'],
    ['Let every user read topics whose names start with "logs."', "kafka-ts acls add --allow-principal 'User:*' --operation Read --topic logs. --resource-pattern-type prefixed"],
    ['Deny bob writes to every topic', "kafka-ts acls --add --deny-principal User:bob --operation Write --topic '*'"],
    ['List every ACL that applies to topic orders', 'kafka-ts acls --list --topic orders --resource-pattern-type match'],
    ["Remove every ACL of topic orders, without asking", 'kafka-ts acls --remove --force --topic orders'],
  ],
  exits: ['Failure', 'Unreachable', 'AuthFailed', 'Denied'],
  exitNotes: ['A broker without an authorizer answers SECURITY_DISABLED: exit 1.', 'Without --force, answering anything but y to the question removes nothing and exits 0.'],
  differences: [
    '--help exits 0 and prints to stdout (kafka-acls.sh exits 1); usage errors exit 2 with one line on stderr.',
    '--remove without --force refuses at once when standard input is not a terminal (kafka-acls.sh waits for a line).',
    '--allow-host without --allow-principal, or --deny-host without --deny-principal, is warned about on stderr (kafka-acls.sh ignores it without a word); the ACLs are the same.',
    'The ZooKeeper-era --authorizer, --authorizer-properties and --zk-tls-config-file options, and delegation-token and user-principal resources, are not offered.',
  ],
};
