;; Zero-trip and one-trip loops: a while loop whose condition fails at once never runs its body, a loop
;; without a back edge runs exactly once, and a read loop over an empty file runs zero times.
;; Prints the three trip counts.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (func (export "main")
    (local $i i32) (local $trips i32)
    ;; while (i < 0): i starts at 0, so never
    (block $exit
      (loop $while
        (br_if $exit (i32.ge_s (local.get $i) (i32.const 0)))
        (local.set $trips (i32.add (local.get $trips) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $while)))
    (call $output (local.get $trips))
    ;; a loop that never branches back falls through after one pass
    (local.set $trips (i32.const 0))
    (loop $once
      (local.set $trips (i32.add (local.get $trips) (i32.const 1))))
    (call $output (local.get $trips))
    ;; count the bytes of file 0: zero trips for an empty file
    (local.set $trips (i32.const 0))
    (drop (call $fd_open (i32.const 0)))
    (block $eof
      (loop $read
        (br_if $eof (i32.eq (call $fd_read (i32.const 0)) (i32.const -1)))
        (local.set $trips (i32.add (local.get $trips) (i32.const 1)))
        (br $read)))
    (call $output (local.get $trips))
  )
)
