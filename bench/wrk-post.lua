-- wrk's requests for bench/run: the same method as the clients' calls (POST, empty body).
wrk.method = "POST"
wrk.headers["Content-Length"] = "0"
