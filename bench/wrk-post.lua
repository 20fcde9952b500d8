-- wrk's requests for bench/run: the same method as the clients' calls (POST, empty body).
wrk.method = "POST"
wrk.headers["Content-Length"] = "0"
-- wrk cannot sign: one fixed header of the V3 shape, so that it passes the bench nginx's check
-- that refuses requests without a V3 Authorization (the clients' real signatures are verified by
-- the emulator in bench/run's verifying round).
wrk.headers["Authorization"] = "ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action,"
  .. "Signature=" .. string.rep("0", 64)
