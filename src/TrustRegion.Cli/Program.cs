Console.WriteLine("trpo");
