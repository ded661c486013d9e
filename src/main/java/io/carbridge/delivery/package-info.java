/**
 * Forwarding to the HTTP destinations an integration team configures: the destinations read from
 * {@code bridge.destination.<name>.*} (one route each from the {@code http-destination} template), the enrich step, the
 * outbound request's protocol (authentication, idempotency key, Standard Webhooks signature), retention, and the admin
 * calls on events and deliveries. The queue itself is the {@code outbox} component.
 */
package io.carbridge.delivery;
