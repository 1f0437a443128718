;; Decodes (count, byte) pairs from file 0 into file 2, writing each byte count times; prints the decoded
;; length. A trailing count without a byte is ignored.
(module
  (import "env" "output" (func $output (param i32)))
  (import "env" "fd_open" (func $fd_open (param i32) (result i32)))
  (import "env" "fd_read" (func $fd_read (param i32) (result i32)))
  (import "env" "fd_write" (func $fd_write (param i32 i32)))
  (func (export "main")
    (local $count i32) (local $c i32) (local $total i32)
    (drop (call $fd_open (i32.const 0)))
    (drop (call $fd_open (i32.const 2)))
    (block $eof
      (loop $pair
        (local.set $count (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $count) (i32.const -1)))
        (local.set $c (call $fd_read (i32.const 0)))
        (br_if $eof (i32.eq (local.get $c) (i32.const -1)))
        (block $run_done
          (loop $repeat
            (br_if $run_done (i32.eq (local.get $count) (i32.const 0)))
            (call $fd_write (i32.const 2) (local.get $c))
            (local.set $count (i32.sub (local.get $count) (i32.const 1)))
            (local.set $total (i32.add (local.get $total) (i32.const 1)))
            (br $repeat)))
        (br $pair)))
    (call $output (local.get $total))
  )
)
