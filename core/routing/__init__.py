"""How URLs find their views across mounts: the route table of a dispatcher,
which sees every mounted app where ``flask routes`` sees one."""
