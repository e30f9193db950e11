// Message queues: the broker service, producers and consumers. Named queues with a bound and a full
// policy (reject|block), exactly-once in-order enqueue per producer, acknowledgement and redelivery,
// messages kept for an absent consumer.
export { MqBrokerService, MAX_QUEUES } from './broker-service.js';
export { BrokerQueue, type QueueStats } from './queue.js';
export { MqProducer, type ProducerOptions, type ProducerStats } from './producer.js';
export { MqConsumer, type ConsumerOptions, type ConsumerStats, type Delivery } from './consumer.js';
export { parseMqMessage, type MqMessage, type FullPolicy } from './messages.js';
