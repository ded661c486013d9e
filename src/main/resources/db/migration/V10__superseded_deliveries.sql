-- A destination that takes a vehicle's state (bridge.destination.<name>.deliver = state) is sent one VEHICLE_STATE of a
-- vehicle per change: a delivery that a later state waiting for it, or the state the destination already has, makes
-- needless is finished as SUPERSEDED, kept with the event that superseded it.
ALTER TABLE delivery ADD COLUMN superseded_by VARCHAR(200);
