{
  "targets": [
    {
      "target_name": "socklab_native",
      "conditions": [
        ["OS=='linux'", {
          "sources": [
            "native/module.c",
            "native/common.c",
            "native/sockets.c",
            "native/fdpass.c",
            "native/poller.c",
            "native/inet_dgram.c",
            "native/stream_echo.c",
            "native/line_rules.c"
          ],
          "defines": ["_GNU_SOURCE", "NAPI_VERSION=8"],
          "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"]
        }, {
          "sources": ["native/unsupported.c"]
        }]
      ]
    }
  ]
}
