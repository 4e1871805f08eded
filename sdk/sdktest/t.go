package sdktest

// T is the part of *testing.T the harness uses. *testing.T satisfies it;
// the harness's own tests pass a recorder to prove that each check fails
// when it should. Fatalf must not return (testing.T calls
// runtime.Goexit).
type T interface {
	Helper()
	Name() string
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Failed() bool
	Cleanup(func())
	TempDir() string
}
