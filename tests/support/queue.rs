//! The harness as Lambda's SQS event source mapping: messages received from a queue in moto
//! become the records of the SQS event the function is given, and the messages it does not
//! ask to retry are deleted.

use std::collections::BTreeSet;

use serde_json::{Value as Json, json};

use super::HOME;

/// Up to ten messages of the queue, received (and so hidden for the visibility timeout), as
/// the records of an SQS event; none when the queue has nothing to deliver.
pub async fn receive(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Vec<Json> {
    let received =
        sqs.receive_message().queue_url(queue_url).max_number_of_messages(10).send().await.expect("received");
    received
        .messages()
        .iter()
        .map(|message| {
            json!({
                "messageId": message.message_id(),
                "receiptHandle": message.receipt_handle(),
                "body": message.body(),
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": format!("arn:aws:sqs:{HOME}:123456789012:{}", queue_url.rsplit('/').next().unwrap_or_default()),
                "awsRegion": HOME,
            })
        })
        .collect()
}

/// Every message of the queue, received, as the records of an SQS event.
pub async fn receive_all(sqs: &aws_sdk_sqs::Client, queue_url: &str) -> Vec<Json> {
    let mut records = Vec::new();
    loop {
        let received = receive(sqs, queue_url).await;
        if received.is_empty() {
            return records;
        }
        records.extend(received);
    }
}

/// The message ids an SQS batch response asks to retry.
pub fn retried(response: &Json) -> BTreeSet<String> {
    response["batchItemFailures"]
        .as_array()
        .expect("a batch response")
        .iter()
        .map(|failure| failure["itemIdentifier"].as_str().expect("an id").to_string())
        .collect()
}

/// Deletes the messages of `records` that `response` does not ask to retry, as the event
/// source mapping does after a batch.
pub async fn delete_done(sqs: &aws_sdk_sqs::Client, queue_url: &str, records: &[Json], response: &Json) {
    let retry = retried(response);
    for record in
        records.iter().filter(|record| !retry.contains(record["messageId"].as_str().unwrap_or_default()))
    {
        let handle = record["receiptHandle"].as_str().expect("a receipt handle");
        sqs.delete_message().queue_url(queue_url).receipt_handle(handle).send().await.expect("deleted");
    }
}
