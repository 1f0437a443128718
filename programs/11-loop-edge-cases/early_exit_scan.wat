;; Scans file 0 for the first byte equal to the first byte of file 1 (the needle), stopping as soon as it is
;; found; prints its index (or -1) and how many bytes were read, showing the loop ended early.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $needle i32) (local $c i32) (local $index i32) (local $read i32)
    (drop (call $fd_open (i32.const 0)))
    (drop (call $fd_open (i32.const 1)))
    (local.set $needle (call $fd_read (i32.const 1)))
    (local.set $index (i32.const -1))
    (block $stop
      ;; no needle: nothing to find
      (br_if $stop (i32.eq (local.get $needle) (i32.const -1)))
      (loop $scan
        (local.set $c (call $fd_read (i32.const 0)))
        (br_if $stop (i32.eq (local.get $c) (i32.const -1)))
        (local.set $read (i32.add (local.get $read) (i32.const 1)))
        (if (i32.eq (local.get $c) (local.get $needle))
          (then
            (local.set $index (i32.sub (local.get $read) (i32.const 1)))
            (br $stop)))
        (br $scan)))
    (call $output (local.get $index))
    (call $output (local.get $read))
  )
)
