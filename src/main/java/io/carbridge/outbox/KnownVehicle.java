package io.carbridge.outbox;

/**
 * What the bridge knows of a delivery's vehicle, from its vehicles and connections tables: any of it may be null (an
 * unknown vehicle is forwarded with empty enrichment, never held back).
 *
 * @param customerReference the integrating company's own reference of the connection the vehicle belongs to
 */
public record KnownVehicle(String make, String model, Integer year, String customerReference) {}
