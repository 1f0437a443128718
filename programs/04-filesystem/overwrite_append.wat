;; Overwriting vs appending on file 2: write 'X','Y' from the start, read one byte, write 'Z' at the cursor,
;; then reopen and print the first six reads. Short files grow, long files are overwritten in place.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (func (export "main")
    (local $i i32)
    (drop (call $fd_open (i32.const 2)))
    (call $fd_write (i32.const 2) (i32.const 88))   ;; 'X'
    (call $fd_write (i32.const 2) (i32.const 89))   ;; 'Y'
    (call $output (call $fd_read (i32.const 2)))    ;; third byte, or -1 (cursor stays)
    (call $fd_write (i32.const 2) (i32.const 90))   ;; 'Z'
    (drop (call $fd_open (i32.const 2)))
    (loop $show
      (call $output (call $fd_read (i32.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $show (i32.lt_s (local.get $i) (i32.const 6))))
  )
)
