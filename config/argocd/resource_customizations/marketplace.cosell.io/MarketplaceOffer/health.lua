-- Argo CD health check for cosell-operator's MarketplaceOffer (Solution has
-- the same check, in ../Solution/health.lua: Argo CD reads one per kind).
-- It reads the kstatus conditions the operator writes:
--   spec.suspend                       -> Suspended
--   status not yet for this generation -> Progressing
--   Stalled=True                       -> Degraded (a person must act; the message says what)
--   Ready=True for this generation     -> Healthy
--   otherwise                          -> Progressing (Reconciling says why)
local hs = {}
if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "reconciliation is suspended: set spec.suspend to false to resume"
  return hs
end
if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "waiting for the operator to report status"
  return hs
end
local generation = obj.metadata.generation or 0
if (obj.status.observedGeneration or 0) < generation then
  hs.status = "Progressing"
  hs.message = "waiting for the operator to observe generation " .. generation
  return hs
end
local ready, stalled, reconciling
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" then ready = c end
  if c.type == "Stalled" then stalled = c end
  if c.type == "Reconciling" then reconciling = c end
end
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = stalled.reason .. ": " .. (stalled.message or "")
  return hs
end
if ready ~= nil and ready.status == "True" and (ready.observedGeneration or generation) == generation then
  hs.status = "Healthy"
  hs.message = ready.message or ""
  return hs
end
hs.status = "Progressing"
if reconciling ~= nil and reconciling.status == "True" then
  hs.message = reconciling.reason .. ": " .. (reconciling.message or "")
elseif ready ~= nil then
  hs.message = ready.reason .. ": " .. (ready.message or "")
end
return hs
