// The `-h` text of the tsnats command: nats-server's flags, in our words.

export const USAGE = `
Usage: NAME [options]

Server Options:
    -a, --addr, --net <host>         Host address to bind client connections to (default: 0.0.0.0)
    -p, --port <port>                Client port (default: 4222; -1 picks a random port)
    -n, --name
        --server_name <server_name>  Name of this server (default: its ID)
    -P, --pid <file>                 Write the process ID to this file
    -m, --http_port <port>           Monitoring HTTP port
    -ms,--https_port <port>          Monitoring HTTPS port (uses the TLS certificate)
    -c, --config <file>              Configuration file
    -t                               Check the configuration file and exit
    -sl,--signal <signal>[=<pid>]    Signal a running server (ldm, stop, quit, term, reopen, reload);
                                     <pid> is a process ID or the path of a PID file
        --client_advertise <string>  Client URL to advertise to other servers
        --ports_file_dir <dir>       Write <executable_name>_<pid>.ports with the bound URLs into <dir>

Logging Options:
    -l, --log <file>                 Log to this file instead of stderr
    -T, --logtime                    Prefix log lines with a timestamp (default: true)
    -s, --syslog                     Log to the local syslog
    -r, --remote_syslog <addr>       Log to a remote syslog (udp://localhost:514)
    -D, --debug                      Debug logging
    -V, --trace                      Trace protocol operations
    -VV                              Trace, including the system account
    -DV                              Debug and trace
    -DVV                             Debug and trace, including the system account
        --log_size_limit <limit>     Rotate the log file at this size in bytes
        --max_traced_msg_len <len>   Cut traced payloads at this length (default: unlimited)

JetStream Options:
    -js, --jetstream                 Enable JetStream
    -sd, --store_dir <dir>           Directory of the JetStream store (default: <tmp>/nats)

TLS Options:
        --tls                        Enable TLS, do not verify clients (default: false)
        --tlscert <file>             Server certificate file
        --tlskey <file>              Private key for server certificate
        --tlsverify                  Enable TLS, verify client certificates
        --tlscacert <file>           Client certificate CA for verification

Authorization Options:
        --user <user>                User required for connections
        --pass <password>            Password required for connections
        --auth <token>               Authorization token required for connections

Common Options:
    -h, --help                       Show this message
    -v, --version                    Show the version

`;
